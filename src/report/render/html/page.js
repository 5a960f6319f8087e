(function(){"use strict";
var d=document,root=d.documentElement;
function $(id){return d.getElementById(id);}
function each(list,f){for(var i=0;i<list.length;i++)f(list[i],i);}
function isDark(){var t=root.getAttribute("data-theme");if(t)return t==="dark";
return !!(window.matchMedia&&window.matchMedia("(prefers-color-scheme: dark)").matches);}
var tb=$("theme");
if(tb){var label=function(){tb.textContent=isDark()?"Light theme":"Dark theme";};
tb.hidden=false;label();
tb.addEventListener("click",function(){var t=isDark()?"light":"dark";root.setAttribute("data-theme",t);
try{localStorage.setItem("driftmend-theme",t);}catch(e){}label();});}
var table=$("cols");
if(table&&table.tBodies.length&&table.tHead){
var body=table.tBodies[0],rows=[],q=$("q"),only=$("only"),cnt=$("cnt"),ctl=$("ctl");
each(body.rows,function(r){rows.push(r);});
var filter=function(){var s=q?q.value.trim().toLowerCase():"",o=!!(only&&only.checked),n=0;
each(rows,function(r){var show=(!o||r.getAttribute("data-drift")==="1")&&(!s||r.textContent.toLowerCase().indexOf(s)>=0);
r.hidden=!show;if(show)n++;});
if(cnt)cnt.textContent=n+" of "+rows.length+" columns";};
if(ctl)ctl.hidden=false;
if(q)q.addEventListener("input",filter);
if(only)only.addEventListener("change",filter);
filter();
var heads=table.tHead.rows[0].cells,col=-1,dir=1;
var key=function(r,i){var c=r.cells[i];if(!c)return null;var v=c.getAttribute("data-v");
if(v===null)return c.textContent.toLowerCase();if(v==="")return null;var x=parseFloat(v);return isNaN(x)?null:x;};
var sortBy=function(i){dir=col===i?-dir:1;col=i;
var keyed=rows.map(function(r,j){return [key(r,i),j,r];});
keyed.sort(function(a,b){var x=a[0],y=b[0];if(x===y)return a[1]-b[1];if(x===null)return 1;if(y===null)return -1;return (x<y?-1:1)*dir;});
each(keyed,function(k){body.appendChild(k[2]);});
each(heads,function(th,j){th.setAttribute("aria-sort",j===i?(dir>0?"ascending":"descending"):"none");});};
each(heads,function(th,i){var b=d.createElement("button");b.type="button";b.className="sort";
while(th.firstChild)b.appendChild(th.firstChild);th.appendChild(b);
b.addEventListener("click",function(){sortBy(i);});});}
var reveal=function(id){var el=id?$(id):null;if(el&&el.tagName==="DETAILS")el.open=true;};
d.addEventListener("click",function(e){var a=e.target&&e.target.closest?e.target.closest("a[href^='#']"):null;
if(a)reveal(a.getAttribute("href").slice(1));});
window.addEventListener("hashchange",function(){reveal(location.hash.slice(1));});
reveal(location.hash.slice(1));
var all=function(open){each(d.querySelectorAll("details.col"),function(x){x.open=open;});};
var xa=$("xall"),oa=$("open-all"),ca=$("close-all");
if(xa&&oa&&ca){xa.hidden=false;oa.addEventListener("click",function(){all(true);});ca.addEventListener("click",function(){all(false);});}
root.setAttribute("data-js","ready");
})();
